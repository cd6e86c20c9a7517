// label: clean
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

uint32_t sum_type1(const uint8_t *buf, size_t len) {
    uint32_t sum = 0;
    size_t off = 0;
    while (len - off >= 2) {
        uint8_t type = buf[off];
        uint8_t vlen = buf[off + 1];
        if ((size_t)vlen > len - off - 2) break;
        if (type == 1)
            for (uint8_t i = 0; i < vlen; i++) sum += buf[off + 2 + i];
        off += 2 + (size_t)vlen;
    }
    return sum;
}

int main(void) {
    uint8_t data[512];
    size_t n = fread(data, 1, sizeof data, stdin);
    printf("%u\n", sum_type1(data, n));
    return 0;
}
