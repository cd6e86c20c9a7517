// label: vulnerable CWE-328
#include <openssl/md5.h>
#include <stdio.h>
#include <string.h>

/* Hash a password for the users file. */
void hash_password(const char *password, char out[33]) {
    unsigned char digest[MD5_DIGEST_LENGTH];
    MD5((const unsigned char *)password, strlen(password), digest);
    for (int i = 0; i < MD5_DIGEST_LENGTH; i++) sprintf(out + 2 * i, "%02x", digest[i]);
}

int main(int argc, char **argv) {
    char h[33];
    if (argc < 2) return 1;
    hash_password(argv[1], h);
    puts(h);
    return 0;
}
