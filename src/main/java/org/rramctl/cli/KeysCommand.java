package org.rramctl.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.rramctl.driver.remote.CurveKeyPair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code rramctl keys}: CURVE key pairs for serving beyond loopback. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "CURVE keys for 'rramctl serve' beyond loopback.",
    subcommands = {KeysCommand.Generate.class})
final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** {@code rramctl keys generate --out DIR [--name NAME]}. */
  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Write a new key pair as Z85 text: DIR/NAME.public and DIR/NAME.secret (mode 600).",
          "The server's pair is named 'server' (for serve --curve-keys DIR); give each client its own name and put its",
          ".public line in the server's --allow file. Existing files are never overwritten."})
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the key files (created if missing).")
    Path out;

    @Option(names = "--name", defaultValue = "server", paramLabel = "NAME", description = "Base name of the files (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws Exception {
      if (!name.matches("[A-Za-z0-9_.-]{1,64}") || name.startsWith(".")) {
        throw new IllegalArgumentException("--name: '" + name + "' (expected: 1..64 letters, digits, '_', '-', '.', not starting with '.')");
      }
      CurveKeyPair kp = CurveKeyPair.generate();
      kp.write(out, name);
      PrintWriter w = spec.commandLine().getOut();
      w.printf("wrote %s and %s%n", out.resolve(name + ".public"), out.resolve(name + ".secret"));
      w.printf("public key %s%n", kp.publicKey());
      return 0;
    }
  }
}
