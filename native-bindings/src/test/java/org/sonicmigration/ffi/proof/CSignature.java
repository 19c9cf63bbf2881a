package org.sonicmigration.ffi.proof;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C function type as the arg files write it: {@code RET (TYPE name, TYPE name[, ...])}, every
 * parameter named. It can print itself as a pointer-to-function type name for gcc and split into the
 * parameter types the descriptor checks need.
 */
record CSignature(String returnType, List<Param> params, boolean variadic, String text) {

    /** One parameter: its C type and its name. */
    record Param(String type, String name) {}

    private static final Pattern NAMED = Pattern.compile("^(.*?[\\s*])([A-Za-z_][A-Za-z0-9_]*)$");

    static CSignature parse(String text) {
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new IllegalArgumentException("not a C function type 'RET (PARAMS)': " + text);
        }
        String ret = text.substring(0, open).strip();
        String inner = text.substring(open + 1, close).strip();
        List<Param> params = new ArrayList<>();
        boolean variadic = false;
        if (!inner.isEmpty() && !inner.equals("void")) {
            for (String p : inner.split(",")) {
                String param = p.strip();
                if (param.equals("...")) {
                    variadic = true;
                    continue;
                }
                Matcher m = NAMED.matcher(param);
                if (!m.matches()) {
                    throw new IllegalArgumentException("parameter without a name in '" + text + "': " + param);
                }
                params.add(new Param(m.group(1).strip(), m.group(2)));
            }
        }
        if (ret.isEmpty()) {
            throw new IllegalArgumentException("no return type in: " + text);
        }
        return new CSignature(ret, List.copyOf(params), variadic, text);
    }

    /** The type name of a pointer to this function, e.g. {@code int (*)(xc_interface *xch, uint32_t domid)}. */
    String pointerType() {
        return returnType + " (*)" + text.substring(text.indexOf('('));
    }
}
