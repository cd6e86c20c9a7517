// label: vulnerable CWE-193
#include <stdio.h>
#include <stdlib.h>

/* Fill an array with squares and print their sum. */
int main(void) {
    int n = 10;
    int *sq = malloc(n * sizeof(int));
    if (sq == NULL) return 1;
    for (int i = 0; i <= n; i++) {
        sq[i] = i * i;
    }
    long sum = 0;
    for (int i = 0; i < n; i++) sum += sq[i];
    printf("%ld\n", sum);
    free(sq);
    return 0;
}
