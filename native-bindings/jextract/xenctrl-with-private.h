/*
 * xenctrl.h plus the one libxenctrl function this project calls that Xen 4.17 declares only in its
 * private header (tools/libs/ctrl/xc_private.h): xc_get_pfn_type_batch, which libxenguest's saver uses
 * to tell holes from RAM before it maps a batch. libxenctrl.so.4.17 exports it (version VERS_4.17.0),
 * so it is part of the library's ABI; SymbolProofTest checks that it resolves there.
 */
#include <xenctrl.h>

int xc_get_pfn_type_batch(xc_interface *xch, uint32_t dom, unsigned int num, xen_pfn_t *arr);
