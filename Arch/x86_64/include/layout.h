/* The kernel's virtual-address layout (docs/memory-layout.md; DESIGN.md 2a).
 * Shared by boot.S, the linker script (through the C preprocessor), C and Swift.
 * All kernel memory sits in PML4 slot 255, the top 512 GiB of the LOWER canonical half:
 * stock Embedded Swift treats pointers with bit 63 set as immortal and keeps String
 * discriminator flags in the top address bits (shared/research/embedded-swift.md section 7). */
#pragma once

#define USER_END            0x00007F8000000000  /* user space is [0, USER_END): PML4 slots 0..254 */
#define DIRECT_MAP_BASE     0x00007F8000000000  /* VA = DIRECT_MAP_BASE + PA, up to 256 GiB */
#define DIRECT_MAP_SIZE     0x0000004000000000
#define VMALLOC_BASE        0x00007FC000000000  /* kernel virtual mappings: MMIO, stacks with guards */
#define VMALLOC_END         0x00007FFF80000000
#define KERNEL_OFFSET       0x00007FFF80000000  /* image window: VA = KERNEL_OFFSET + PA */
#define KERNEL_PHYS_BASE    0x0000000000200000  /* the image is loaded at 2 MiB physical */
#define AP_TRAMPOLINE_PA    0x0000000000008000  /* real-mode start page for secondary CPUs */

#define MAX_CPUS            64
#define PAGE_SIZE           4096
#define BOOT_STACK_SIZE     65536
