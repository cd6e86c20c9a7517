// label: vulnerable CWE-131
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Join all command-line arguments with spaces. */
char *join_args(int argc, char **argv) {
    size_t total = 0;
    for (int i = 1; i < argc; i++) total += strlen(argv[i]);
    char *out = malloc(total);
    if (!out) return NULL;
    out[0] = '\0';
    for (int i = 1; i < argc; i++) {
        strcat(out, argv[i]);
        if (i + 1 < argc) strcat(out, " ");
    }
    return out;
}

int main(int argc, char **argv) {
    char *s = join_args(argc, argv);
    if (s) {
        puts(s);
        free(s);
    }
    return 0;
}
