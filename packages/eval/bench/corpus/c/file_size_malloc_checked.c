// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char **load_strings(FILE *f, int *count) {
    if (fscanf(f, "%d\n", count) != 1 || *count <= 0 || *count > 100000) return NULL;
    char **table = calloc((size_t)*count, sizeof *table);
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
    if (!t) return 1;
    if (t[0]) puts(t[0]);
    for (int i = 0; i < n; i++) free(t[i]);
    free(t);
    return 0;
}
