/* xenguest.h is not self-contained: it uses xc_interface and friends from xenctrl.h. */
#include <xenctrl.h>
#include <xenguest.h>
