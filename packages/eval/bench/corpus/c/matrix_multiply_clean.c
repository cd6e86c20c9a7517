// label: clean
#include <stdio.h>
#include <stdlib.h>

/* Multiply two square matrices read from stdin: n, then A, then B. */
int main(void) {
    int n;
    if (scanf("%d", &n) != 1 || n <= 0 || n > 512) return 1;
    double *a = malloc((size_t)n * n * sizeof *a);
    double *b = malloc((size_t)n * n * sizeof *b);
    double *c = calloc((size_t)n * n, sizeof *c);
    if (!a || !b || !c) {
        free(a);
        free(b);
        free(c);
        return 1;
    }
    for (int i = 0; i < n * n; i++) if (scanf("%lf", &a[i]) != 1) return 1;
    for (int i = 0; i < n * n; i++) if (scanf("%lf", &b[i]) != 1) return 1;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) printf("%g ", c[i * n + j]);
        putchar('\n');
    }
    free(a);
    free(b);
    free(c);
    return 0;
}
