// label: clean
#include <stdio.h>
#include <stdlib.h>

/* Binary search tree of ints: insert, in-order print, height, free. */
typedef struct tree {
    int key;
    struct tree *left, *right;
} tree;

static tree *insert(tree *t, int key) {
    if (t == NULL) {
        tree *n = malloc(sizeof *n);
        if (!n) {
            perror("malloc");
            exit(1);
        }
        n->key = key;
        n->left = n->right = NULL;
        return n;
    }
    if (key < t->key) t->left = insert(t->left, key);
    else if (key > t->key) t->right = insert(t->right, key);
    return t;
}

static void inorder(const tree *t) {
    if (!t) return;
    inorder(t->left);
    printf("%d ", t->key);
    inorder(t->right);
}

static int height(const tree *t) {
    if (!t) return 0;
    int l = height(t->left), r = height(t->right);
    return 1 + (l > r ? l : r);
}

static void destroy(tree *t) {
    if (!t) return;
    destroy(t->left);
    destroy(t->right);
    free(t);
}

int main(void) {
    tree *root = NULL;
    int x;
    while (scanf("%d", &x) == 1) root = insert(root, x);
    inorder(root);
    printf("\nheight %d\n", height(root));
    destroy(root);
    return 0;
}
