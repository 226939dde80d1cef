package dev.reviewscore.testing;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@value #SCHEME}, with any authority: {@code credfs://alice:hunter2@bucket/tmp/x}
 * is the local file {@code /tmp/x}. Lets a test give the job locations that carry credentials, as object-store URIs
 * do, and read them for real. Register it with {@code fs.credfs.impl}.
 */
public final class CredentialedFileSystem extends RawLocalFileSystem {
    /** The scheme this file system serves. */
    public static final String SCHEME = "credfs";
    private URI uri;

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        super.initialize(name, conf);
        uri = URI.create(SCHEME + "://" + name.getAuthority() + "/");
        setWorkingDirectory(new Path(SCHEME, name.getAuthority(), System.getProperty("user.dir")));
    }

    /** The URI it was opened with, once initialized (the local file system's while it is being constructed). */
    @Override
    public URI getUri() {
        return uri != null ? uri : super.getUri();
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    /** {@code credfs://<user>:<password>@bucket} followed by the absolute local path. */
    public static String location(String user, String password, java.nio.file.Path local) {
        return SCHEME + "://" + user + ":" + password + "@bucket" + local.toAbsolutePath();
    }
}
