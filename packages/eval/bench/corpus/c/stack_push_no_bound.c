// label: vulnerable CWE-787
#include <stdio.h>

#define MAX 100

int stack[MAX];
int top = 0;

void push(int x) {
    stack[top++] = x;
}

int pop(void) {
    return stack[--top];
}

int main(void) {
    int n, x;
    if (scanf("%d", &n) != 1) return 1;
    for (int i = 0; i < n; i++) {
        if (scanf("%d", &x) != 1) break;
        push(x);
    }
    while (top > 0) printf("%d\n", pop());
    return 0;
}
