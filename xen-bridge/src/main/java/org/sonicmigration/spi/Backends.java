package org.sonicmigration.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader} and picks one: the one the user forced, or else the
 * available backend with the highest priority. Every choice can be explained, because "why did it
 * not use Xen?" is the first question a user on a dom0 asks.
 */
public final class Backends {

    /** A backend together with what its probe said. */
    public record Candidate(Backend backend, Availability availability) {}

    private final List<Backend> backends;

    public Backends(List<Backend> backends) {
        this.backends = List.copyOf(backends);
    }

    /** All backends on the class path. */
    public static Backends discover() {
        List<Backend> found = new ArrayList<>();
        ServiceLoader.load(Backend.class).forEach(found::add);
        return new Backends(found);
    }

    /** Every backend with its probe result, highest priority first. */
    public List<Candidate> candidates() {
        return backends.stream()
                .sorted(Comparator.comparingInt(Backend::priority).reversed())
                .map(b -> new Candidate(b, b.probe()))
                .toList();
    }

    public Optional<Backend> byName(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /**
     * Chooses a backend.
     *
     * @param forced the name the user gave, or empty for automatic selection
     * @throws BackendUnavailableException naming every backend and why it cannot serve
     */
    public Backend select(Optional<String> forced) {
        if (forced.isPresent()) {
            String name = forced.get();
            Backend b = byName(name).orElseThrow(() -> new BackendUnavailableException(
                    "no backend named '" + name + "' (known: " + names() + ")"));
            Availability a = b.probe();
            if (!a.available()) {
                throw new BackendUnavailableException("backend '" + name + "' is not available: " + a.reason());
            }
            return b;
        }
        List<Candidate> all = candidates();
        return all.stream().filter(c -> c.availability().available()).map(Candidate::backend).findFirst()
                .orElseThrow(() -> new BackendUnavailableException("no backend is available: " + explain(all)));
    }

    private String names() {
        return String.join(", ", backends.stream().map(Backend::name).toList());
    }

    private static String explain(List<Candidate> all) {
        if (all.isEmpty()) {
            return "none is on the class path";
        }
        return String.join("; ", all.stream().map(c -> c.backend().name() + ": " + c.availability().reason()).toList());
    }
}
