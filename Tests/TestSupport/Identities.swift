/// Fixtures both test targets share: valid ID numbers, the common password, temporary folders.

/// A GB 11643 resident ID number: the 17 digits plus their ISO 7064 MOD 11-2 check character.
public func residentId(_ first17: String) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    let checks = Array("10X98765432")
    let sum = zip(first17.compactMap { $0.wholeNumberValue }, weights).reduce(0) { $0 + $1.0 * $1.1 }
    return first17 + String(checks[sum % 11])
}

/// The people of the test worlds, by their resident ID numbers.
public enum IDs {
    /// L1, the leader of 24BZX001.
    public static let leader = residentId("11010819800101001")
    /// Another leader (L9 and the like).
    public static let otherLeader = residentId("11010819810202002")
    /// The new leader of a `changeLeader` request.
    public static let newLeader = residentId("31010419750505003")
    /// The member of 24BZX001.
    public static let member = residentId("11010819900303004")
    /// Expert E1 (U2).
    public static let expert1 = residentId("11010819700404005")
    /// Expert E2 (U3).
    public static let expert2 = residentId("31010419710606006")
    /// Expert E3 (U2).
    public static let expert3 = residentId("11010819720707007")
    /// Expert E4 (U1, the leader's unit).
    public static let expert4 = residentId("11010819730808008")
    /// Expert E5 (U3).
    public static let expert5 = residentId("31010419740909009")
}

/// The password of every account in the test worlds.
public let password = "Secret123"
