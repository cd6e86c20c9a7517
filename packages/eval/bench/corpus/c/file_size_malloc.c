// label: vulnerable CWE-787
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Load a length-prefixed string table: a count, then NUL-terminated strings. */
char **load_strings(FILE *f, int *count) {
    if (fscanf(f, "%d\n", count) != 1) return NULL;
    char **table = malloc(10 * sizeof *table);
    if (!table) return NULL;
    char buf[256];
    for (int i = 0; i < *count && fgets(buf, sizeof buf, f); i++) {
        buf[strcspn(buf, "\n")] = '\0';
        table[i] = strdup(buf);
    }
    return table;
}

int main(int argc, char **argv) {
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!f) return 1;
    int n = 0;
    char **t = load_strings(f, &n);
    fclose(f);
    if (t && n > 0) puts(t[0]);
    return 0;
}
