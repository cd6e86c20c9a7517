// label: vulnerable CWE-401
#include <stdio.h>
#include <stdlib.h>

/* Read all integers from stdin into a growing buffer. */
int *read_all(size_t *n) {
    size_t cap = 4, len = 0;
    int *buf = malloc(cap * sizeof *buf);
    if (!buf) return NULL;
    int x;
    while (scanf("%d", &x) == 1) {
        if (len == cap) {
            cap *= 2;
            buf = realloc(buf, cap * sizeof *buf);
            if (!buf) return NULL;
        }
        buf[len++] = x;
    }
    *n = len;
    return buf;
}

int main(void) {
    size_t n;
    int *v = read_all(&n);
    if (!v) return 1;
    printf("%zu numbers\n", n);
    free(v);
    return 0;
}
