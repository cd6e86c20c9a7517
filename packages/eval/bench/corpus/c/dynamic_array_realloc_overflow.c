// label: vulnerable CWE-787
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int *items;
    int count;
    int capacity;
} int_list;

void list_append(int_list *l, int value) {
    if (l->count > l->capacity) {
        l->capacity = l->capacity * 2 + 1;
        l->items = realloc(l->items, l->capacity * sizeof(int));
    }
    l->items[l->count++] = value;
}

int main(void) {
    int_list l = { malloc(4 * sizeof(int)), 0, 4 };
    int v;
    while (scanf("%d", &v) == 1) list_append(&l, v);
    for (int i = 0; i < l.count; i++) printf("%d ", l.items[i]);
    putchar('\n');
    free(l.items);
    return 0;
}
