// label: clean
#include <stdio.h>

#define SLOTS 10
static int scores[SLOTS];

int main(void) {
    int slot, score;
    while (scanf("%d %d", &slot, &score) == 2) {
        if (slot < 0 || slot >= SLOTS) {
            fprintf(stderr, "slot %d out of range\n", slot);
            continue;
        }
        scores[slot] = score;
    }
    for (int i = 0; i < SLOTS; i++) printf("%d: %d\n", i, scores[i]);
    return 0;
}
