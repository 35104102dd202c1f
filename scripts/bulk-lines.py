#!/usr/bin/env python3
"""Writes command lines for a large store, for the growth table in BENCHMARKS.md.

    scripts/bulk-lines.py N [--units U] | grantledger apply --store S -

Prints `bootstrap`, one province, U units (default 200) and N `registerProject` lines, each with a
leader and two members of their own (three sealed ID numbers per event, R-LOG-6): every event is
the largest kind, so bytes per event and rebuild cost are upper bounds for the demo's mix. The ID
numbers are valid resident ID numbers (GB 11643 check digit), all different.
"""

import argparse
import datetime
import json
import sys

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
FIRST_DAY = datetime.date(1950, 1, 1)


def resident_id(serial: int) -> str:
    """The serial-th distinct resident ID number: a birth day from 1950 on and a sequence code."""
    day, code = divmod(serial, 1000)
    born = FIRST_DAY + datetime.timedelta(days=day)
    body = "110108" + born.strftime("%Y%m%d") + f"{code:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS))
    return body + CHECK[total % 11]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", type=int)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()
    out = sys.stdout
    dump = lambda value: out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")
    dump({"type": "bootstrap", "accountId": "N0", "username": "national", "password": "Secret123",
          "name": "全国社科工作办", "id": "b"})
    dump({"type": "createProvince", "actor": "N0", "provinceId": "P1", "name": "北京市", "id": "p"})
    for unit in range(1, args.units + 1):
        dump({"type": "createUnit", "actor": "N0", "unitId": f"U{unit}", "name": f"单位{unit}",
              "provinceId": "P1", "id": f"u{unit}"})
    for index in range(args.projects):
        person = index * 3
        dump({
            "type": "registerProject", "actor": "N0", "id": f"r{index}",
            "projectNo": f"25BZX{index:07d}", "title": "中国哲学史研究", "category": "general",
            "discipline": "哲学", "unitId": f"U{index % args.units + 1}",
            "leader": {"name": "张三", "idType": "residentId", "idNumber": resident_id(person)},
            "members": [
                {"name": "李四", "idType": "residentId", "idNumber": resident_id(person + 1),
                 "unit": "北京大学", "title": "副教授", "role": "成员"},
                {"name": "王五", "idType": "residentId", "idNumber": resident_id(person + 2),
                 "unit": "北京大学", "title": "讲师", "role": "成员"},
            ],
            "approvedOn": "2024-06-01", "plannedEndDate": "2027-12-31", "deliverableForm": "monograph",
            "budget": {"direct": {"equipment": 100000, "business": 300000, "labor": 100000},
                       "indirect": 100000, "external": []},
        })


if __name__ == "__main__":
    main()
