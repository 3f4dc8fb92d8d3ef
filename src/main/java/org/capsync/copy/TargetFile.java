package org.capsync.copy;

/**
 * One file at one CAP: {@code capPath/folder/fileName}. {@code tempName} is the only other name capsync ever writes
 * there (besides {@link LockToken#NAME} when the job asks for the lock token); it is fixed per job and file so that a run resumed after a crash overwrites, then removes, what the crashed
 * run left.
 */
public record TargetFile(String capName, String capPath, String folder, String fileName, String tempName) {

    public static TargetFile of(String capName, String capPath, String folder, String fileName, String jobName) {
        return new TargetFile(capName, capPath, folder, fileName, "." + fileName + "." + jobName + ".capsync-tmp");
    }

    public String describe() {
        return capName + " " + fileName;
    }
}
