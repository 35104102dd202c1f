import GrantWorkflow
import Testing

@Test("the standard fixture builds") func standardFixture() {
    let w = World.standard()
    #expect(w.project.status == .active)
    #expect(w.state.account("L1")?.registration == .approved)
}
