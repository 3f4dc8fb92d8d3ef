package org.capsync.bench;

/** Figure 9's floor: a JVM that starts, prints a line and exits. */
final class BareJvm {

    public static void main(String[] args) {
        System.out.println("hello");
    }
}
