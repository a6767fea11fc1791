/* The program fork_exec starts: a normal static glibc executable that exits at once, so the
 * figure is exec's loading and glibc's static start-up (lmbench lat_proc exec uses hello). */
#include <unistd.h>
int main(void) { _exit(0); }
