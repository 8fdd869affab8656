Console.WriteLine("Replication benchmark: not written yet.");
