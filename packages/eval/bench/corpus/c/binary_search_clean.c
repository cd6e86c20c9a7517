// label: clean
#include <stdio.h>
#include <stdlib.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Index of key in the sorted array, or -1. */
static long bsearch_idx(const int *v, size_t n, int key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo] == key ? (long)lo : -1;
}

int main(void) {
    int v[] = {42, 7, 19, 3, 88, 61, 25};
    size_t n = sizeof v / sizeof v[0];
    qsort(v, n, sizeof v[0], cmp_int);
    int key;
    while (scanf("%d", &key) == 1) printf("%d -> %ld\n", key, bsearch_idx(v, n, key));
    return 0;
}
