// label: clean
#include <stdio.h>

int main(void) {
    char first[20], last[20];
    int age;
    printf("Enter first name, last name and age: ");
    if (scanf("%19s %19s %d", first, last, &age) != 3) return 1;
    printf("%s %s will be %d next year\n", first, last, age + 1);
    return 0;
}
