// label: clean
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10;
    if (n <= 0 || n > 1000000) {
        fprintf(stderr, "n must be in 1..1000000\n");
        return 1;
    }
    long *sq = malloc((size_t)n * sizeof *sq);
    if (!sq) return 1;
    for (int i = 0; i < n; i++) sq[i] = (long)i * i;
    long sum = 0;
    for (int i = 0; i < n; i++) sum += sq[i];
    printf("%ld\n", sum);
    free(sq);
    return 0;
}
