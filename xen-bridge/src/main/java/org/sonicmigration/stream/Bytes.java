package org.sonicmigration.stream;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Fixed-width integer access to byte arrays in the two byte orders the stream uses. */
final class Bytes {

    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle BE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {}

    static int le32(byte[] b, int off) { return (int) LE32.get(b, off); }
    static long le64(byte[] b, int off) { return (long) LE64.get(b, off); }
    static int le16(byte[] b, int off) { return Short.toUnsignedInt((short) LE16.get(b, off)); }
    static int be32(byte[] b, int off) { return (int) BE32.get(b, off); }
    static long be64(byte[] b, int off) { return (long) BE64.get(b, off); }
    static int be16(byte[] b, int off) { return Short.toUnsignedInt((short) BE16.get(b, off)); }

    static void le32(byte[] b, int off, int v) { LE32.set(b, off, v); }
    static void le64(byte[] b, int off, long v) { LE64.set(b, off, v); }
    static void le16(byte[] b, int off, int v) { LE16.set(b, off, (short) v); }
    static void be32(byte[] b, int off, int v) { BE32.set(b, off, v); }
    static void be64(byte[] b, int off, long v) { BE64.set(b, off, v); }
    static void be16(byte[] b, int off, int v) { BE16.set(b, off, (short) v); }

    /** Zero padding that brings a body of this length to an 8-byte boundary. */
    static int padding(long length) {
        return (int) (-length & 7);
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
