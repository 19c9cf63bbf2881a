package org.sonicmigration.receiver;

/**
 * What a receiver does when the stream's domain name is already taken on this host: refuse the stream
 * before any page arrives, or receive it under a temporary name and replace the existing domain only once
 * the new copy is complete and its source has let go, so a failed migration leaves the existing domain
 * as it was.
 */
public enum NameClash {
    /** Refuse the stream with a one-line reason (the default). */
    REFUSE,
    /** Receive as {@code NAME--incoming}; at handover destroy the existing {@code NAME} and take its name. */
    REPLACE;

    /** The temporary name a replacement is built under, as {@code xl migrate-receive} names an incoming domain. */
    static String incoming(String name) {
        return name + "--incoming";
    }
}
