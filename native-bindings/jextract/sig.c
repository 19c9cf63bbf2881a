#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <xenctrl.h>
#include <xenguest.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenevtchn.h>
#include <xenstore.h>
#include <xentoollog.h>
#include <libxl.h>
_Static_assert(__builtin_types_compatible_p(typeof(&vsnprintf), int (*)(char *s, size_t maxlen, const char *format, va_list arg)), "vsnprintf");
_Static_assert(__builtin_types_compatible_p(typeof(&free), void (*)(void *ptr)), "free");
_Static_assert(__builtin_types_compatible_p(typeof(&strerror), char * (*)(int errnum)), "strerror");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_ctx_alloc), int (*)(libxl_ctx **pctx, int version, unsigned int flags, xentoollog_logger *lg)), "libxl_ctx_alloc");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_ctx_free), int (*)(libxl_ctx *ctx)), "libxl_ctx_free");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_info), int (*)(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid)), "libxl_domain_info");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_dominfo_init), void (*)(libxl_dominfo *p)), "libxl_dominfo_init");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_dominfo_dispose), void (*)(libxl_dominfo *p)), "libxl_dominfo_dispose");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_suspend), int (*)(libxl_ctx *ctx, uint32_t domid, int fd, int flags, const libxl_asyncop_how *ao_how)), "libxl_domain_suspend");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_suspend_only), int (*)(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)), "libxl_domain_suspend_only");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_resume), int (*)(libxl_ctx *ctx, uint32_t domid, int suspend_cancel, const libxl_asyncop_how *ao_how)), "libxl_domain_resume");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_create_restore), int (*)(libxl_ctx *ctx, libxl_domain_config *d_config, uint32_t *domid, int restore_fd, int send_back_fd, const libxl_domain_restore_params *params, const libxl_asyncop_how *ao_how, const libxl_asyncprogress_how *aop_console_how)), "libxl_domain_create_restore");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_config_init), void (*)(libxl_domain_config *d_config)), "libxl_domain_config_init");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_config_dispose), void (*)(libxl_domain_config *d_config)), "libxl_domain_config_dispose");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_config_from_json), int (*)(libxl_ctx *ctx, libxl_domain_config *p, const char *s)), "libxl_domain_config_from_json");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_restore_params_init), void (*)(libxl_domain_restore_params *p)), "libxl_domain_restore_params_init");
_Static_assert(__builtin_types_compatible_p(typeof(&libxl_domain_restore_params_dispose), void (*)(libxl_domain_restore_params *p)), "libxl_domain_restore_params_dispose");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_interface_open), xc_interface * (*)(xentoollog_logger *logger, xentoollog_logger *dombuild_logger, unsigned int open_flags)), "xc_interface_open");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_interface_close), int (*)(xc_interface *xch)), "xc_interface_close");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_getinfo), int (*)(xc_interface *xch, uint32_t first_domid, unsigned int max_doms, xc_dominfo_t *info)), "xc_domain_getinfo");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_getinfolist), int (*)(xc_interface *xch, uint32_t first_domain, unsigned int max_domains, xc_domaininfo_t *info)), "xc_domain_getinfolist");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_pause), int (*)(xc_interface *xch, uint32_t domid)), "xc_domain_pause");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_unpause), int (*)(xc_interface *xch, uint32_t domid)), "xc_domain_unpause");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_destroy), int (*)(xc_interface *xch, uint32_t domid)), "xc_domain_destroy");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_shutdown), int (*)(xc_interface *xch, uint32_t domid, int reason)), "xc_domain_shutdown");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_maximum_gpfn), int (*)(xc_interface *xch, uint32_t domid, xen_pfn_t *gpfns)), "xc_domain_maximum_gpfn");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_nr_gpfns), int (*)(xc_interface *xch, uint32_t domid, xen_pfn_t *gpfns)), "xc_domain_nr_gpfns");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_shadow_control), int (*)(xc_interface *xch, uint32_t domid, unsigned int sop, unsigned int *mb, unsigned int mode)), "xc_shadow_control");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_logdirty_control), long long (*)(xc_interface *xch, uint32_t domid, unsigned int sop, xc_hypercall_buffer_t *dirty_bitmap, unsigned long pages, unsigned int mode, xc_shadow_op_stats_t *stats)), "xc_logdirty_control");
_Static_assert(__builtin_types_compatible_p(typeof(&xc__hypercall_buffer_alloc_pages), void * (*)(xc_interface *xch, xc_hypercall_buffer_t *b, int nr_pages)), "xc__hypercall_buffer_alloc_pages");
_Static_assert(__builtin_types_compatible_p(typeof(&xc__hypercall_buffer_free_pages), void (*)(xc_interface *xch, xc_hypercall_buffer_t *b, int nr_pages)), "xc__hypercall_buffer_free_pages");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_vcpu_getcontext), int (*)(xc_interface *xch, uint32_t domid, uint32_t vcpu, vcpu_guest_context_any_t *ctxt)), "xc_vcpu_getcontext");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_vcpu_setcontext), int (*)(xc_interface *xch, uint32_t domid, uint32_t vcpu, vcpu_guest_context_any_t *ctxt)), "xc_vcpu_setcontext");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_populate_physmap_exact), int (*)(xc_interface *xch, uint32_t domid, unsigned long nr_extents, unsigned int extent_order, unsigned int mem_flags, xen_pfn_t *extent_start)), "xc_domain_populate_physmap_exact");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_hvm_getcontext), int (*)(xc_interface *xch, uint32_t domid, uint8_t *ctxt_buf, uint32_t size)), "xc_domain_hvm_getcontext");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_hvm_setcontext), int (*)(xc_interface *xch, uint32_t domid, uint8_t *hvm_ctxt, uint32_t size)), "xc_domain_hvm_setcontext");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_hvm_param_get), int (*)(xc_interface *handle, uint32_t dom, uint32_t param, uint64_t *value)), "xc_hvm_param_get");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_hvm_param_set), int (*)(xc_interface *handle, uint32_t dom, uint32_t param, uint64_t value)), "xc_hvm_param_set");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_get_tsc_info), int (*)(xc_interface *xch, uint32_t domid, uint32_t *tsc_mode, uint64_t *elapsed_nsec, uint32_t *gtsc_khz, uint32_t *incarnation)), "xc_domain_get_tsc_info");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_set_tsc_info), int (*)(xc_interface *xch, uint32_t domid, uint32_t tsc_mode, uint64_t elapsed_nsec, uint32_t gtsc_khz, uint32_t incarnation)), "xc_domain_set_tsc_info");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_evtchn_alloc_unbound), xc_evtchn_port_or_error_t (*)(xc_interface *xch, uint32_t dom, uint32_t remote_dom)), "xc_evtchn_alloc_unbound");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_get_last_error), const xc_error * (*)(xc_interface *handle)), "xc_get_last_error");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_clear_last_error), void (*)(xc_interface *xch)), "xc_clear_last_error");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_error_code_to_desc), const char * (*)(int code)), "xc_error_code_to_desc");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_open), xenevtchn_handle * (*)(struct xentoollog_logger *logger, unsigned int flags)), "xenevtchn_open");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_close), int (*)(xenevtchn_handle *xce)), "xenevtchn_close");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_fd), int (*)(xenevtchn_handle *xce)), "xenevtchn_fd");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_notify), int (*)(xenevtchn_handle *xce, evtchn_port_t port)), "xenevtchn_notify");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_bind_interdomain), xenevtchn_port_or_error_t (*)(xenevtchn_handle *xce, uint32_t domid, evtchn_port_t remote_port)), "xenevtchn_bind_interdomain");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_bind_unbound_port), xenevtchn_port_or_error_t (*)(xenevtchn_handle *xce, uint32_t domid)), "xenevtchn_bind_unbound_port");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_unbind), int (*)(xenevtchn_handle *xce, evtchn_port_t port)), "xenevtchn_unbind");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_pending), xenevtchn_port_or_error_t (*)(xenevtchn_handle *xce)), "xenevtchn_pending");
_Static_assert(__builtin_types_compatible_p(typeof(&xenevtchn_unmask), int (*)(xenevtchn_handle *xce, evtchn_port_t port)), "xenevtchn_unmask");
_Static_assert(__builtin_types_compatible_p(typeof(&xenforeignmemory_open), xenforeignmemory_handle * (*)(struct xentoollog_logger *logger, unsigned int open_flags)), "xenforeignmemory_open");
_Static_assert(__builtin_types_compatible_p(typeof(&xenforeignmemory_close), int (*)(xenforeignmemory_handle *fmem)), "xenforeignmemory_close");
_Static_assert(__builtin_types_compatible_p(typeof(&xenforeignmemory_map), void * (*)(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages, const xen_pfn_t *arr, int *err)), "xenforeignmemory_map");
_Static_assert(__builtin_types_compatible_p(typeof(&xenforeignmemory_unmap), int (*)(xenforeignmemory_handle *fmem, void *addr, size_t pages)), "xenforeignmemory_unmap");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_open), xengnttab_handle * (*)(struct xentoollog_logger *logger, unsigned int open_flags)), "xengnttab_open");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_close), int (*)(xengnttab_handle *xgt)), "xengnttab_close");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_fd), int (*)(xengnttab_handle *xgt)), "xengnttab_fd");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_set_max_grants), int (*)(xengnttab_handle *xgt, uint32_t nr_grants)), "xengnttab_set_max_grants");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_map_grant_ref), void * (*)(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)), "xengnttab_map_grant_ref");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_map_grant_refs), void * (*)(xengnttab_handle *xgt, uint32_t count, uint32_t *domids, uint32_t *refs, int prot)), "xengnttab_map_grant_refs");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_map_domain_grant_refs), void * (*)(xengnttab_handle *xgt, uint32_t count, uint32_t domid, uint32_t *refs, int prot)), "xengnttab_map_domain_grant_refs");
_Static_assert(__builtin_types_compatible_p(typeof(&xengnttab_unmap), int (*)(xengnttab_handle *xgt, void *start_address, uint32_t count)), "xengnttab_unmap");
_Static_assert(__builtin_types_compatible_p(typeof(&xengntshr_open), xengntshr_handle * (*)(struct xentoollog_logger *logger, unsigned int open_flags)), "xengntshr_open");
_Static_assert(__builtin_types_compatible_p(typeof(&xengntshr_close), int (*)(xengntshr_handle *xgs)), "xengntshr_close");
_Static_assert(__builtin_types_compatible_p(typeof(&xengntshr_share_pages), void * (*)(xengntshr_handle *xgs, uint32_t domid, int count, uint32_t *refs, int writable)), "xengntshr_share_pages");
_Static_assert(__builtin_types_compatible_p(typeof(&xengntshr_unshare), int (*)(xengntshr_handle *xgs, void *start_address, uint32_t count)), "xengntshr_unshare");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_domain_resume), int (*)(xc_interface *xch, uint32_t domid, int fast)), "xc_domain_resume");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_cpu_policy_init), xc_cpu_policy_t * (*)(void)), "xc_cpu_policy_init");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_cpu_policy_destroy), void (*)(xc_cpu_policy_t *policy)), "xc_cpu_policy_destroy");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_cpu_policy_get_size), int (*)(xc_interface *xch, uint32_t *nr_leaves, uint32_t *nr_msrs)), "xc_cpu_policy_get_size");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_cpu_policy_get_domain), int (*)(xc_interface *xch, uint32_t domid, xc_cpu_policy_t *policy)), "xc_cpu_policy_get_domain");
_Static_assert(__builtin_types_compatible_p(typeof(&xc_cpu_policy_serialise), int (*)(xc_interface *xch, const xc_cpu_policy_t *policy, xen_cpuid_leaf_t *leaves, uint32_t *nr_leaves, xen_msr_entry_t *msrs, uint32_t *nr_msrs)), "xc_cpu_policy_serialise");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_open), struct xs_handle * (*)(unsigned long flags)), "xs_open");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_close), void (*)(struct xs_handle *xsh)), "xs_close");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_read), void * (*)(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)), "xs_read");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_write), bool (*)(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data, unsigned int len)), "xs_write");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_rm), bool (*)(struct xs_handle *h, xs_transaction_t t, const char *path)), "xs_rm");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_directory), char ** (*)(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)), "xs_directory");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_watch), bool (*)(struct xs_handle *h, const char *path, const char *token)), "xs_watch");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_unwatch), bool (*)(struct xs_handle *h, const char *path, const char *token)), "xs_unwatch");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_read_watch), char ** (*)(struct xs_handle *h, unsigned int *num)), "xs_read_watch");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_fileno), int (*)(struct xs_handle *h)), "xs_fileno");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_transaction_start), xs_transaction_t (*)(struct xs_handle *h)), "xs_transaction_start");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_transaction_end), bool (*)(struct xs_handle *h, xs_transaction_t t, bool abort)), "xs_transaction_end");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_get_domain_path), char * (*)(struct xs_handle *h, unsigned int domid)), "xs_get_domain_path");
_Static_assert(__builtin_types_compatible_p(typeof(&xs_resume_domain), bool (*)(struct xs_handle *h, unsigned int domid)), "xs_resume_domain");
_Static_assert(__builtin_types_compatible_p(typeof(&xtl_createlogger_stdiostream), xentoollog_logger_stdiostream * (*)(FILE *f, xentoollog_level min_level, unsigned int flags)), "xtl_createlogger_stdiostream");
_Static_assert(__builtin_types_compatible_p(typeof(&xtl_stdiostream_set_minlevel), void (*)(xentoollog_logger_stdiostream *logger, xentoollog_level min_level)), "xtl_stdiostream_set_minlevel");
_Static_assert(__builtin_types_compatible_p(typeof(&xtl_logger_destroy), void (*)(struct xentoollog_logger *logger)), "xtl_logger_destroy");
_Static_assert(__builtin_types_compatible_p(typeof(&xtl_log), void (*)(struct xentoollog_logger *logger, xentoollog_level level, int errnoval, const char *context, const char *format, ...)), "xtl_log");
_Static_assert(__builtin_types_compatible_p(typeof(&xtl_progress), void (*)(struct xentoollog_logger *logger, const char *context, const char *doing_what, unsigned long done, unsigned long total)), "xtl_progress");
_Static_assert(__builtin_types_compatible_p(typeof(&xtl_level_to_string), const char * (*)(xentoollog_level level)), "xtl_level_to_string");
