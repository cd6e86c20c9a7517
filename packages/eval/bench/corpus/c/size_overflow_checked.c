// label: clean
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct record {
    uint32_t id;
    char name[60];
};

#define MAX_RECORDS 100000u

struct record *load_records(FILE *f, uint32_t *out_count) {
    uint32_t count;
    if (fread(&count, sizeof count, 1, f) != 1) return NULL;
    if (count == 0 || count > MAX_RECORDS) return NULL;
    struct record *recs = calloc(count, sizeof *recs);
    if (!recs) return NULL;
    uint32_t got = 0;
    while (got < count && fread(&recs[got], sizeof recs[got], 1, f) == 1) got++;
    *out_count = got;
    return recs;
}

int main(int argc, char **argv) {
    if (argc < 2) return 1;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 1;
    uint32_t n = 0;
    struct record *r = load_records(f, &n);
    fclose(f);
    if (r && n) printf("%u records, first %.60s\n", n, r[0].name);
    free(r);
    return 0;
}
