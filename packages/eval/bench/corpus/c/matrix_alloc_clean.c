// label: clean
#include <stdio.h>
#include <stdlib.h>

/* Allocate an n x m matrix of doubles as one block with row pointers. */
double **matrix_new(size_t n, size_t m) {
    double **rows = malloc(n * sizeof *rows);
    if (rows == NULL) return NULL;
    double *block = calloc(n * m, sizeof *block);
    if (block == NULL) {
        free(rows);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) rows[i] = block + i * m;
    return rows;
}

void matrix_free(double **rows) {
    if (rows) {
        free(rows[0]);
        free(rows);
    }
}

int main(void) {
    double **a = matrix_new(3, 4);
    if (!a) return 1;
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 4; j++) a[i][j] = (double)(i * 4 + j);
    printf("%f\n", a[2][3]);
    matrix_free(a);
    return 0;
}
