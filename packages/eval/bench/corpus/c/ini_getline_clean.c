// label: clean
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print the sections and keys of an INI file, reading lines of any length. */
int main(int argc, char **argv) {
    FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
    if (!f) {
        perror("fopen");
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) != -1) {
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        if (n == 0 || line[0] == ';' || line[0] == '#') continue;
        if (line[0] == '[') {
            printf("section %s\n", line);
            continue;
        }
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            printf("  key %s\n", line);
        }
    }
    free(line);
    if (f != stdin) fclose(f);
    return 0;
}
