import type { Language, RepairPair } from '@srcode/dataset';

/** A repair pair built by hand; changes are left empty so the pre-filter diffs the lines. */
export function makePair(before: string, after: string, language: Language = 'c', cwes: string[] = ['CWE-476'], id = 'pair-1'): RepairPair {
  return {
    schemaVersion: 1,
    id,
    language,
    cwes,
    provenance: { dataset: 'sample', functionName: 'f' },
    vulnerableCode: before,
    fixedCode: after,
    changes: { deleted: [], added: [], origin: 'diff' },
  };
}

export const C_BEFORE = `int copy_name(struct user *u, const char *src)
{
    char *buf = malloc(u->len);
    strcpy(buf, src);
    u->name = buf;
    return 0;
}
`;

export const C_AFTER = `int copy_name(struct user *u, const char *src)
{
    if (u == NULL || src == NULL)
        return -EINVAL;
    char *buf = malloc(u->len);
    strncpy(buf, src, u->len - 1);
    u->name = buf;
    return 0;
}
`;

export const PY_BEFORE = `def find_user(cursor, name):
    """Return the row of the named user."""
    query = "SELECT * FROM users WHERE name = '%s'" % name
    cursor.execute(query)
    return cursor.fetchone()
`;

export const PY_AFTER = `def find_user(cursor, name):
    """Return the row of the named user."""
    cursor.execute("SELECT * FROM users WHERE name = %s", (name,))
    return cursor.fetchone()
`;
