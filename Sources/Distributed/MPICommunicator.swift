import CMPI
public enum DistributedPlaceholder { static func c() -> MPI_Comm? { tributary_mpi_comm_world() } }
