// label: vulnerable CWE-129
#include <stdio.h>

static int scores[10];

/* Record scores: each input line is "<slot> <score>". */
int main(void) {
    int slot, score;
    while (scanf("%d %d", &slot, &score) == 2) {
        scores[slot] = score;
    }
    for (int i = 0; i < 10; i++) printf("%d: %d\n", i, scores[i]);
    return 0;
}
