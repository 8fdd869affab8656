using Replication.Testing.Registries;

namespace Replication.Registry.Tests.Fixtures;

/// <summary>Shares one anonymous, one Basic and one token registry across the tests that declare this collection.</summary>
[CollectionDefinition(RegistryFixture.Collection)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>;
