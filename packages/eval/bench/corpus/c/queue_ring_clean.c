// label: clean
#include <stdbool.h>
#include <stdio.h>

#define CAP 8

typedef struct {
    int data[CAP];
    int head, tail, size;
} ring;

static bool enqueue(ring *q, int x) {
    if (q->size == CAP) return false;
    q->data[q->tail] = x;
    q->tail = (q->tail + 1) % CAP;
    q->size++;
    return true;
}

static bool dequeue(ring *q, int *x) {
    if (q->size == 0) return false;
    *x = q->data[q->head];
    q->head = (q->head + 1) % CAP;
    q->size--;
    return true;
}

int main(void) {
    ring q = {{0}, 0, 0, 0};
    for (int i = 0; i < 10; i++)
        if (!enqueue(&q, i)) printf("full at %d\n", i);
    int x;
    while (dequeue(&q, &x)) printf("%d\n", x);
    return 0;
}
