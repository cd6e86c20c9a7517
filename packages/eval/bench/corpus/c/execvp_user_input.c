// label: clean
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Compress a file the user names with gzip, without a shell. */
int main(void) {
    char path[200];
    printf("file to compress: ");
    if (!fgets(path, sizeof path, stdin)) return 1;
    path[strcspn(path, "\n")] = '\0';
    pid_t pid = fork();
    if (pid == 0) {
        char *args[] = {"gzip", "-9", "--", path, NULL};
        execvp("gzip", args);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
