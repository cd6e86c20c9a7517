// label: vulnerable CWE-242
#include <stdio.h>
#include <string.h>

int main(void) {
    char name[32];
    printf("What is your name? ");
    gets(name);
    printf("Hello, %s! Your name has %zu letters.\n", name, strlen(name));
    return 0;
}
