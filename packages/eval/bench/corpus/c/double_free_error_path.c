// label: vulnerable CWE-415
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a whole file into memory. */
char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(4096);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, 4095, f);
    if (ferror(f)) {
        free(buf);
        fclose(f);
        goto fail;
    }
    buf[n] = '\0';
    fclose(f);
    *len = n;
    return buf;
fail:
    free(buf);
    return NULL;
}

int main(int argc, char **argv) {
    size_t n;
    char *s = argc > 1 ? slurp(argv[1], &n) : NULL;
    if (s) {
        printf("%zu bytes\n", n);
        free(s);
    }
    return 0;
}
