// label: clean
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

/* A growable array of doubles. */
typedef struct {
    double *data;
    size_t len;
    size_t cap;
} vec_t;

static int vec_push(vec_t *v, double x) {
    if (v->len == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        if (cap > SIZE_MAX / sizeof *v->data) return -1;
        double *p = realloc(v->data, cap * sizeof *v->data);
        if (p == NULL) return -1;
        v->data = p;
        v->cap = cap;
    }
    v->data[v->len++] = x;
    return 0;
}

int main(void) {
    vec_t v = {0};
    double x;
    while (scanf("%lf", &x) == 1) {
        if (vec_push(&v, x) != 0) {
            fprintf(stderr, "out of memory\n");
            free(v.data);
            return 1;
        }
    }
    double sum = 0;
    for (size_t i = 0; i < v.len; i++) sum += v.data[i];
    printf("n=%zu mean=%f\n", v.len, v.len ? sum / (double)v.len : 0.0);
    free(v.data);
    return 0;
}
