"""The Python `eventsourcing` library on SQLite: the most used event-sourcing library.

One aggregate per project, as GrantLedger keeps one stream per project. Measures, for N projects:
  create              register each project (one new aggregate, one event, one commit each);
  load+change+save    load each project, record a change request, save (the command path of an
                      event-sourced engine: read the stream, decide, append);
  load                load each project again (replaying its two events);
  notification log    read back every event in order, as a projection rebuild would.

Usage: python eventsourcing_peer.py DBFILE N
"""

import os
import sys
import time

os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
os.environ["SQLITE_DBNAME"] = sys.argv[1]

from eventsourcing.application import Application  # noqa: E402
from eventsourcing.domain import Aggregate, event  # noqa: E402


class Project(Aggregate):
    @event("Registered")
    def __init__(self, title, leader):
        self.title = title
        self.leader = leader
        self.changes = []

    @event("ChangeRequested")
    def request_change(self, kind, reason):
        self.changes.append((kind, reason))


class Projects(Application):
    def register(self, title, leader):
        project = Project(title, leader)
        self.save(project)
        return project.id

    def request_change(self, project_id, kind, reason):
        project = self.repository.get(project_id)
        project.request_change(kind, reason)
        self.save(project)


def main():
    n = int(sys.argv[2])
    app = Projects()
    t0 = time.perf_counter()
    ids = [app.register(f"title {i} " + "x" * 200, f"leader{i}") for i in range(n)]
    t1 = time.perf_counter()
    for project_id in ids:
        app.request_change(project_id, "extension", "reason " + "y" * 200)
    t2 = time.perf_counter()
    for project_id in ids:
        app.repository.get(project_id)
    t3 = time.perf_counter()
    count = sum(1 for _ in app.recorder.select_notifications(start=1, limit=10**9))
    t4 = time.perf_counter()
    print(
        f"eventsourcing (python) on sqlite n={n}: create {n / (t1 - t0):.0f} commands/s, "
        f"load+change+save {n / (t2 - t1):.0f} commands/s, load {n / (t3 - t2):.0f} aggregates/s, "
        f"notification log {count / (t4 - t3):.0f} events/s ({count} events)"
    )


if __name__ == "__main__":
    main()
