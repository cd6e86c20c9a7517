// label: vulnerable CWE-369
#include <stdio.h>

/* Split a bill among the number of people entered. */
int main(void) {
    int total_cents, people;
    if (scanf("%d %d", &total_cents, &people) != 2) return 1;
    printf("each pays %d.%02d\n", total_cents / people / 100, total_cents / people % 100);
    return 0;
}
