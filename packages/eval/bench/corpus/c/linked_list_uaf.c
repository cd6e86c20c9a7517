// label: vulnerable CWE-416
#include <stdio.h>
#include <stdlib.h>

struct node {
    int value;
    struct node *next;
};

struct node *push_front(struct node *head, int value) {
    struct node *n = malloc(sizeof(struct node));
    if (!n) return head;
    n->value = value;
    n->next = head;
    return n;
}

/* Free every node of the list. */
void free_list(struct node *head) {
    for (struct node *p = head; p != NULL; p = p->next) {
        free(p);
    }
}

int main(void) {
    struct node *list = NULL;
    for (int i = 0; i < 10; i++) list = push_front(list, i * i);
    free_list(list);
    return 0;
}
