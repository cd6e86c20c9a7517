// label: vulnerable CWE-562
#include <stdio.h>
#include <string.h>

/* Format a temperature for display. */
char *format_temp(double celsius) {
    char buf[32];
    snprintf(buf, sizeof buf, "%.1f C (%.1f F)", celsius, celsius * 9 / 5 + 32);
    return buf;
}

int main(void) {
    puts(format_temp(21.5));
    return 0;
}
