#!/usr/bin/env python3
"""upgrade_section.py FILE FUNCTION...: prints, for an upgrade script in extension/,
CREATE OR REPLACE FUNCTION statements copied verbatim from the src/sql source FILE
(the function from its CREATE FUNCTION line through its closing "END $$;" or "$$;",
or its one statement for a C function, and its COMMENT ON FUNCTION). For functions whose signature and return type did not
change; test/integration/upgrade.sh proves the result equals a fresh install."""
import re
import sys


def section(source, name):
    start = source.index("CREATE FUNCTION error_budget.%s(" % name)
    first_end = re.compile(r";$", re.M).search(source, start).end()
    if "$$" in source[start:first_end]:
        # the body ends at the first line that closes the dollar quote
        end = re.compile(r"^(END )?\$\$;$", re.M).search(source, start).end()
    else:
        end = first_end  # a C function: one statement
    comment = re.compile(r"^COMMENT ON FUNCTION error_budget\.%s\(.*?';$" % re.escape(name), re.M | re.S)
    found = comment.search(source, end)
    text = "CREATE OR REPLACE" + source[start + len("CREATE"):end]
    if found and source[end:found.start()].strip() == "":
        text += "\n" + found.group(0)
    return text


def main():
    source = open(sys.argv[1]).read()
    for name in sys.argv[2:]:
        print("-- ======== %s: %s ========" % (sys.argv[1].split("/")[-1], name))
        print(section(source, name))
        print()


if __name__ == "__main__":
    main()
