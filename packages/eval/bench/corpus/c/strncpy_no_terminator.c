// label: vulnerable CWE-170
#include <stdio.h>
#include <string.h>

struct user {
    char name[16];
    int age;
};

void set_name(struct user *u, const char *name) {
    strncpy(u->name, name, sizeof u->name);
}

int main(int argc, char **argv) {
    struct user u = {{0}, 30};
    set_name(&u, argc > 1 ? argv[1] : "anonymous");
    printf("%s is %d\n", u.name, u.age);
    return 0;
}
