// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *join_args(int argc, char **argv) {
    size_t total = 1;
    for (int i = 1; i < argc; i++) total += strlen(argv[i]) + 1;
    char *out = malloc(total);
    if (!out) return NULL;
    char *p = out;
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);
        memcpy(p, argv[i], n);
        p += n;
        if (i + 1 < argc) *p++ = ' ';
    }
    *p = '\0';
    return out;
}

int main(int argc, char **argv) {
    char *s = join_args(argc, argv);
    if (!s) return 1;
    puts(s);
    free(s);
    return 0;
}
