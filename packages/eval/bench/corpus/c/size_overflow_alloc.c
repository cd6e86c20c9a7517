// label: vulnerable CWE-190
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct record {
    uint32_t id;
    char name[60];
};

/* Read a count followed by that many records from a binary file. */
struct record *load_records(FILE *f, uint32_t *out_count) {
    uint32_t count;
    if (fread(&count, sizeof count, 1, f) != 1) return NULL;
    struct record *recs = malloc(count * sizeof(struct record));
    if (!recs) return NULL;
    for (uint32_t i = 0; i < count; i++) {
        if (fread(&recs[i], sizeof recs[i], 1, f) != 1) break;
    }
    *out_count = count;
    return recs;
}

int main(int argc, char **argv) {
    if (argc < 2) return 1;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 1;
    uint32_t n = 0;
    struct record *r = load_records(f, &n);
    fclose(f);
    if (r) printf("%u records, first %s\n", n, n ? r[0].name : "-");
    free(r);
    return 0;
}
