package io.tidaldb.ctl;

/** A command that prints through {@link Output}, so that its errors follow its {@code --format}. */
interface Reporting {

  /** The output options the user gave this command. */
  OutputOptions outputOptions();
}
