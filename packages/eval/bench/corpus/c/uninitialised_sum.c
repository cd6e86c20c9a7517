// label: vulnerable CWE-457
#include <stdio.h>

double average(const double *xs, int n) {
    double sum;
    for (int i = 0; i < n; i++) sum += xs[i];
    return n ? sum / n : 0.0;
}

int main(void) {
    double xs[] = {1.5, 2.5, 3.0};
    printf("%f\n", average(xs, 3));
    return 0;
}
