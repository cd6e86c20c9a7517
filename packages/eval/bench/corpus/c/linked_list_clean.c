// label: clean
#include <stdio.h>
#include <stdlib.h>

/* A singly linked list of integers read from standard input. */
struct node {
    int value;
    struct node *next;
};

static struct node *push_front(struct node *head, int value) {
    struct node *n = malloc(sizeof *n);
    if (n == NULL) {
        perror("malloc");
        exit(EXIT_FAILURE);
    }
    n->value = value;
    n->next = head;
    return n;
}

static struct node *reverse(struct node *head) {
    struct node *prev = NULL;
    while (head != NULL) {
        struct node *next = head->next;
        head->next = prev;
        prev = head;
        head = next;
    }
    return prev;
}

static void free_list(struct node *head) {
    while (head != NULL) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
}

int main(void) {
    struct node *list = NULL;
    int x;
    while (scanf("%d", &x) == 1) list = push_front(list, x);
    list = reverse(list);
    for (struct node *p = list; p != NULL; p = p->next) printf("%d\n", p->value);
    free_list(list);
    return 0;
}
